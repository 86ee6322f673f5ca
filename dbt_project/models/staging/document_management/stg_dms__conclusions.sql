with

source as (

    select * from {{ source('raw', 'ket_luan') }}

),

renamed as (

    select
        _month as month_date,
        conclusion_id,
        meeting_id,
        content as conclusion_content,
        task_id,
        assignee_unit_code,
        assignee_official_code,
        due_date,
        _file as source_file,
        _line as source_line,
        _file_sha256 as source_file_sha256

    from source

)

select * from renamed
